import pytest


@pytest.fixture(autouse=True)
def _one_thread():
    """One torch and one BLAS thread per test: the tests use small arrays, for which intra-op
    threads only add synchronisation cost (severe on a shared 2-core CI machine)."""
    import torch
    from threadpoolctl import threadpool_limits

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1, user_api="blas"):
        yield
    torch.set_num_threads(old)



def pytest_collection_modifyitems(config, items):
    """Skip tests marked `gpu` when CUDA is not available."""
    import torch

    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs CUDA (torch.cuda.is_available() is False)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
