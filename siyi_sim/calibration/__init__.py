"""Calibration to the 2020 totals, validation of patterns P1–P8, and the source article's case replays.

- :mod:`.calibrate` fits five world parameters to the six 2020 totals the source article reports
  and writes a calibration record (``siyi calibrate``: to ``results/`` by default, over the shipped
  ``siyi_sim/data/calibration_2020.json`` with ``--install``); ``scenarios.py`` loads the shipped
  file into every scenario. The record carries a behaviour fingerprint of the model it was fitted on.
- :mod:`.validate` measures P1–P8 (``docs/validation.md``) on seeds that were not used to fit.
- :mod:`.cases` replays the cases *zhongchuan*, *quanzheng* and *yuanxiu* through the real
  mechanisms.
- :mod:`.runs` runs their many simulations on the experiments runner (local pool or Dask), in order;
  :mod:`.docblocks` writes their Markdown reports into the generated sections of the docs.
"""
