"""Multiple sequence alignments: alphabets and encoding (``encoding``), FASTA input/output
(``fasta``), A2M/A3M/Stockholm reading (``formats``), plmc's preparation (focus columns, invalid
sequences, gap filters, weights: ``msa``), sequence reweighting (``weights``) and the loader (``load``).
"""

from statgen.graphical.potts.alignment.encoding import (
           ALPHABETS,
           decode_sequences,
           encode_sequences,
           get_alphabet,
)
from statgen.graphical.potts.alignment.fasta import read_fasta, write_fasta
from statgen.graphical.potts.alignment.formats import read_alignment, read_stockholm
from statgen.graphical.potts.alignment.load import load_alignment
from statgen.graphical.potts.alignment.msa import Alignment, prepare_alignment
from statgen.graphical.potts.alignment.weights import sequence_weights

__all__ = ["ALPHABETS", "get_alphabet", "read_fasta", "write_fasta", "encode_sequences", "decode_sequences",
           "load_alignment", "sequence_weights", "read_alignment", "read_stockholm", "prepare_alignment", "Alignment"]
