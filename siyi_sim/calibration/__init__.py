"""Calibration to the 2020 totals, validation of patterns P1–P6, and the seed's case replays.

- :mod:`.calibrate` fits five world parameters to the six 2020 totals (FACTS.md) and writes
  ``siyi_sim/data/calibration_2020.json``, which ``scenarios.py`` loads into ``campaign_2020``.
- :mod:`.validate` measures P1–P6 (MODEL.md §1) on seeds that were not used to fit.
- :mod:`.cases` replays the cases *zhongchuan*, *quanzheng* and *yuanxiu* through the real
  mechanisms.
"""
