"""Direct-coupling analysis with the tools people use: contact scores (``scores``), plmc's problem
and fit (``plmc_fit``), and the files of plmc (``plmc_files``), CCMpred (``ccmpred_files``) and
adabmDCA (``adabmdca_files``). The command line ``statgen potts plm`` (``cli``) is a drop-in for plmc.
"""

from statgen.graphical.potts.dca.adabmdca_files import read_adabmdca_params, write_adabmdca_params
from statgen.graphical.potts.dca.ccmpred_files import read_ccmpred_mat, write_ccmpred_mat
from statgen.graphical.potts.dca.plmc_files import (
    PlmcParams,
    read_plmc_couplings,
    read_plmc_params,
    write_plmc_couplings,
    write_plmc_params,
)
from statgen.graphical.potts.dca.plmc_fit import fit_plmc, plmc_gammas, plmc_objective
from statgen.graphical.potts.dca.scores import (
    CONTACT_CONVENTIONS,
    average_product_correction,
    contact_scores,
    top_contacts,
)

__all__ = ["contact_scores", "top_contacts", "average_product_correction", "CONTACT_CONVENTIONS",
           "fit_plmc", "plmc_objective", "plmc_gammas", "PlmcParams", "read_plmc_couplings", "write_plmc_couplings",
           "read_plmc_params", "write_plmc_params", "read_ccmpred_mat", "write_ccmpred_mat",
           "read_adabmdca_params", "write_adabmdca_params"]
