"""Molecular systems and flows as OpenMM potentials."""
