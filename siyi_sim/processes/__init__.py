"""One module per submodel of MODEL.md §5; the model calls them in the order of §3."""
