import pytest
import torch

from statgen.flows import RQSplineTransformer, SmoothMixtureTransformer


def make_transformer(kind: str, domain: str, dims: int = 3, components: int = 6, *, n: int = 50,
                     scale: float = 1.0, seed: int = 0, dtype=torch.float64, **kwargs):
    """A transformer with random conditioner outputs ``raw`` of shape (n, dims, params_per_dim)."""
    if kind == "smooth":
        tr = SmoothMixtureTransformer(domain, dims, components, **kwargs)
    else:
        tr = RQSplineTransformer(domain, dims, components, **kwargs)
    g = torch.Generator().manual_seed(seed)
    raw = scale * torch.randn(n, dims, tr.params_per_dim, generator=g, dtype=dtype)
    return tr.to(dtype), raw


@pytest.fixture
def transformer_factory():
    return make_transformer

