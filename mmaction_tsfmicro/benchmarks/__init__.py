"""Benchmarks of the plugin, the logic behind ``tools/analysis_tools/``:

* :mod:`.machine`: the CPU, its load and its measured peak;
* :mod:`.model`: the recognizer's forward and training step per backbone
  preset, and where the time goes (``benchmark_model.py``);
* :mod:`.official`, :mod:`.projections`, :mod:`.report`: the plugin
  against the official code, side by side, with the data pipeline and
  the LOSO projections (``benchmark.py``);
* :mod:`.loso_methods`: LOSO runs of a list of methods into the results
  table (``benchmark_methods.py``);
* :mod:`.loso_speed`: the same LOSO with other settings or another
  checkout (``benchmark_loso.py``);
* :mod:`.streaming`: the streaming spotter against recomputed windows
  (``benchmark_stream.py``);
* :mod:`.preprocessing`: face alignment and optical flow per frame
  (``benchmark_preprocessing.py``).
"""
