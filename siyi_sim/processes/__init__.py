"""One module per submodel (ODD "Submodels"); ``siyi_sim.model`` steps them in ODD order."""
