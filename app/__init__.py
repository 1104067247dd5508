"""Readout Archive's desktop window: a thin Qt shell over the Qt-free ``index`` core."""
