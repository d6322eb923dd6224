"""Offline tooling that makes entity taggers: training either backend, masked-language-model
pretraining, pseudo-labelling and decoding tuning.

The runtime stages (read → segment → entities → thresholds → logic / screen) never import this
package, so a batch run loads none of it; ``tests/test_layout.py`` checks that.
"""
