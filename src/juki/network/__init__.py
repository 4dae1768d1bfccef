"""Topology and wiring: which nodes exist, where their databases and keys are (`juki up`).

This is the composition root: the only package that imports every node package.
"""
