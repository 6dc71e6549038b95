"""Alanine dipeptide (ACE-ALA-NME, 22 atoms) in Amber99SB-ILDN + OBC implicit solvent.

The structure is built here from standard peptide geometry through the z-matrix (nothing is
downloaded), energy-minimized once with the force field and shipped as
``statgen/md/data/alanine_dipeptide.pdb``; :func:`build_alanine_dipeptide_pdb` regenerates it.
"""

from __future__ import annotations

import math
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from statgen.md.zmatrix import ZMatrix

__all__ = [
    "ATOM_NAMES",
    "RESIDUES",
    "ALANINE_ZMATRIX",
    "PHI_ATOMS",
    "PSI_ATOMS",
    "alanine_dipeptide",
    "alanine_zmatrix",
    "build_alanine_dipeptide_pdb",
    "import_openmm",
    "kbt",
    "temperature_kelvin",
    "MOLAR_GAS_CONSTANT",
    "N_ATOMS",
]

#: R in kJ/(mol K) (CODATA 2018, as in openmm.unit.MOLAR_GAS_CONSTANT_R).
MOLAR_GAS_CONSTANT = 8.314462618e-3

# (residue, atom name, element) in the conventional atom order (Amber template names).
_ATOMS = [
    ("ACE", "HH31", "H"), ("ACE", "CH3", "C"), ("ACE", "HH32", "H"), ("ACE", "HH33", "H"),
    ("ACE", "C", "C"), ("ACE", "O", "O"),
    ("ALA", "N", "N"), ("ALA", "H", "H"), ("ALA", "CA", "C"), ("ALA", "HA", "H"), ("ALA", "CB", "C"),
    ("ALA", "HB1", "H"), ("ALA", "HB2", "H"), ("ALA", "HB3", "H"), ("ALA", "C", "C"), ("ALA", "O", "O"),
    ("NME", "N", "N"), ("NME", "H", "H"), ("NME", "CH3", "C"), ("NME", "HH31", "H"), ("NME", "HH32", "H"),
    ("NME", "HH33", "H"),
]
ATOM_NAMES: tuple[str, ...] = tuple(a for _, a, _ in _ATOMS)
RESIDUES: tuple[str, ...] = tuple(r for r, _, _ in _ATOMS)
#: atoms of alanine dipeptide (the system's atom list; models carry their own ``n_atoms``)
N_ATOMS = len(_ATOMS)

#: φ = C(ACE)-N-CA-C and ψ = N-CA-C-N(NME) (atom indices).
PHI_ATOMS = (4, 6, 8, 14)
PSI_ATOMS = (6, 8, 14, 16)

# z-matrix rows (i, j, k, l) with the construction values (b nm, θ deg, τ deg). Bonds are the
# 21 chemical bonds (the molecule is a tree). Substituent torsions are "improper-style"
# (e.g. HA relative to C around the CA-N axis) so that only φ, ψ, ω and the methyl rotors vary
# strongly; the backbone N-CA-C are the roots (the global frame).
_ZMAT = [
    (8, -1, -1, -1, None, None, None),       # CA
    (6, 8, -1, -1, 0.1458, None, None),      # N
    (14, 8, 6, -1, 0.1525, 111.2, None),     # C
    (4, 6, 8, 14, 0.1335, 121.7, -80.0),     # C(ACE): φ
    (16, 14, 8, 6, 0.1335, 116.2, 80.0),     # N(NME): ψ
    (5, 4, 6, 8, 0.1229, 122.7, 0.0),        # O(ACE)
    (1, 4, 6, 5, 0.1522, 116.2, 180.0),      # CH3(ACE)
    (7, 6, 8, 4, 0.1010, 118.0, 180.0),      # H(ALA)
    (9, 8, 6, 14, 0.1090, 109.5, 120.0),     # HA
    (10, 8, 6, 14, 0.1525, 110.1, -120.0),   # CB (L-Ala)
    (15, 14, 8, 16, 0.1229, 120.5, 180.0),   # O(ALA)
    (17, 16, 14, 8, 0.1010, 123.0, 0.0),     # H(NME)
    (18, 16, 14, 17, 0.1458, 121.9, 180.0),  # CH3(NME)
    (0, 1, 4, 6, 0.1090, 109.5, 60.0),       # HH31(ACE)
    (2, 1, 4, 0, 0.1090, 109.5, 120.0),      # HH32(ACE)
    (3, 1, 4, 0, 0.1090, 109.5, -120.0),     # HH33(ACE)
    (11, 10, 8, 6, 0.1090, 109.5, 60.0),     # HB1
    (12, 10, 8, 11, 0.1090, 109.5, 120.0),   # HB2
    (13, 10, 8, 11, 0.1090, 109.5, -120.0),  # HB3
    (19, 18, 16, 14, 0.1090, 109.5, 60.0),   # HH31(NME)
    (20, 18, 16, 19, 0.1090, 109.5, 120.0),  # HH32(NME)
    (21, 18, 16, 19, 0.1090, 109.5, -120.0), # HH33(NME)
]
ALANINE_ZMATRIX: np.ndarray = np.array([r[:4] for r in _ZMAT], dtype=np.int64)

_PDB_NAME = "alanine_dipeptide.pdb"


def alanine_zmatrix() -> ZMatrix:
    """The z-matrix over all 22 atoms (21 bonds, 20 angles, 19 torsions); roots N-CA-C."""
    return ZMatrix(ALANINE_ZMATRIX)


def import_openmm():
    """Import openmm lazily, with an error naming the extra to install."""
    try:
        import openmm
        import openmm.app  # noqa: F401
        import openmm.unit  # noqa: F401
    except ImportError as exc:  # pragma: no cover - exercised only without openmm
        raise ImportError("statgen.md needs OpenMM: pip install 'statgen[md]'") from exc
    return openmm


def temperature_kelvin(temperature) -> float:
    """Temperature in K from a number (K) or an ``openmm.unit.Quantity`` with temperature units; > 0, finite."""
    from statgen._checks import check_positive

    if hasattr(temperature, "value_in_unit") and hasattr(temperature, "unit"):
        unit = import_openmm().unit
        if not temperature.unit.is_compatible(unit.kelvin):
            raise TypeError(f"temperature must be in kelvin (a number or an openmm Quantity of temperature), "
                            f"got a Quantity in {temperature.unit}")
        temperature = temperature.value_in_unit(unit.kelvin)
    if isinstance(temperature, bool) or not isinstance(temperature, int | float | np.integer | np.floating):
        raise TypeError(f"temperature must be a number in kelvin or an openmm Quantity, got {type(temperature).__name__}")
    return check_positive(temperature, "temperature")


def kbt(temperature) -> float:
    """k_B T per mole in kJ/mol, R·T (≈ 2.494 kJ/mol at 300 K); ``temperature`` in K (> 0) or a Quantity."""
    return MOLAR_GAS_CONSTANT * temperature_kelvin(temperature)


def _construction_positions() -> np.ndarray:
    """Cartesian positions (22, 3) in nm from the standard geometry of ``_ZMAT``."""
    import torch

    zm = alanine_zmatrix()
    b = torch.tensor([r[4] for r in _ZMAT[1:]], dtype=torch.float64)
    a = torch.tensor([math.radians(r[5]) for r in _ZMAT[2:]], dtype=torch.float64)
    t = torch.tensor([math.radians(r[6]) for r in _ZMAT[3:]], dtype=torch.float64)
    x, _ = zm.inverse(b, a, t)
    return x.numpy() + np.array([1.0, 1.0, 1.0])


def _topology():
    openmm = import_openmm()
    app = openmm.app
    top = app.Topology()
    chain = top.addChain()
    residues, atoms = {}, []
    for res_name, name, element in _ATOMS:
        if res_name not in residues:
            residues[res_name] = top.addResidue(res_name, chain)
        atoms.append(top.addAtom(name, app.Element.getBySymbol(element), residues[res_name]))
    bonds = [(int(i), int(j)) for i, j, _, _ in ALANINE_ZMATRIX[1:]]
    for i, j in bonds:
        top.addBond(atoms[i], atoms[j])
    return top


def _create_system(topology):
    openmm = import_openmm()
    app = openmm.app
    ff = app.ForceField("amber99sbildn.xml", "amber99_obc.xml")
    return ff.createSystem(topology, nonbondedMethod=app.NoCutoff, constraints=None, rigidWater=False)


def build_alanine_dipeptide_pdb(path: str | Path | None = None, *, tolerance: float = 1e-3) -> Path:
    """Build ACE-ALA-NME from standard geometry, minimize it in Amber99SB-ILDN + OBC, write a PDB.

    Parameters
    ----------
    path : output file (default: the packaged ``statgen/md/data/alanine_dipeptide.pdb``).
    tolerance : L-BFGS force tolerance in kJ/mol/nm.
    """
    openmm = import_openmm()
    app, unit = openmm.app, openmm.unit
    top = _topology()
    system = _create_system(top)
    ctx = openmm.Context(system, openmm.VerletIntegrator(0.001), openmm.Platform.getPlatformByName("Reference"))
    ctx.setPositions(_construction_positions() * unit.nanometer)
    openmm.LocalEnergyMinimizer.minimize(ctx, tolerance * unit.kilojoule_per_mole / unit.nanometer, 0)
    pos = ctx.getState(getPositions=True).getPositions(asNumpy=True).value_in_unit(unit.nanometer)
    pos = pos - pos.mean(0) + 1.0
    path = Path(path) if path is not None else Path(__file__).parent / "data" / _PDB_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        app.PDBFile.writeFile(top, pos * unit.nanometer, fh)
    return path


@lru_cache(maxsize=1)
def _packaged_positions() -> np.ndarray:
    openmm = import_openmm()
    ref = resources.files("statgen.md") / "data" / _PDB_NAME
    with resources.as_file(ref) as p:
        pdb = openmm.app.PDBFile(str(p))
    # PDBFile renames atoms to PDB conventions (HH31 -> H1, ...): check elements and residues.
    got = [(a.residue.name, a.element.symbol) for a in pdb.topology.atoms()]
    if got != [(r, e) for r, _, e in _ATOMS]:
        raise RuntimeError(f"packaged {_PDB_NAME} does not hold ACE-ALA-NME in the expected atom order")
    return pdb.getPositions(asNumpy=True).value_in_unit(openmm.unit.nanometer)


def alanine_dipeptide():
    """ACE-ALA-NME in Amber99SB-ILDN with OBC implicit solvent, NoCutoff, no constraints.

    Returns
    -------
    topology : openmm.app.Topology (22 atoms, residues ACE, ALA, NME, 21 bonds).
    system : openmm.System (HarmonicBond, HarmonicAngle, PeriodicTorsion, Nonbonded, GBSAOBC forces).
    positions : (22, 3) float64 ndarray in nm, the minimized packaged structure (αR basin, φ ≈ −77°, ψ ≈ −15°).
    """
    top = _topology()
    return top, _create_system(top), _packaged_positions().copy()
