import pytest

from tests.calls.conftest import codes  # noqa: F401 - the code lists the import rows name


@pytest.fixture
def storage(settings, tmp_path):
    """The default storage in this test's own directory."""
    location = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    return location
