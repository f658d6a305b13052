"""Loaded by the emulator's Python (tests/batch-e2e.sh puts this folder on PYTHONPATH
when it starts ../shared/engines/batch-local-up.sh).

moto's Batch job runner models only Docker host volumes: a job definition with an EFS
volume (`efsVolumeConfiguration`, what `storage: nfs` exports) fails every job with
KeyError 'host' before its command runs (and its mount points with KeyError on the
volume's name). The emulated jobs are local processes that
need no volume (the test's `mount_path` is the project folder on this machine), so
the runner is shown only the host volumes and their mount points. Nothing else changes: the requests are
still validated by moto's API and stored as sent (DescribeJobDefinitions shows the EFS
volume).
"""
try:
    from moto.batch import models as _models

    _original = _models.Job._get_container_property

    def _get_container_property(self, p, default):
        value = _original(self, p, default)
        if p == "volumes":
            return [v for v in value if "host" in v]
        if p == "mountPoints":
            host = {v.get("name") for v in _original(self, "volumes", []) if "host" in v}
            return [m for m in value if m.get("sourceVolume") in host]
        return value

    _models.Job._get_container_property = _get_container_property
except ImportError:  # not the emulator's Python
    pass
