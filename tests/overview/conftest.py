from tests.oversight.conftest import mentorship  # noqa: F401  (shared fixture)
