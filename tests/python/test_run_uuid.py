"""sys/uuid: the UUID the client made when it created the run, a str that
fetch(), run.fetch() and get_structure() give like the other sys/ fields,
the same when the run is opened again, and another for another run."""
import re

import nereid

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def test_sys_uuid():
    with nereid.init_run(name="u") as run:
        uuid = run["sys/uuid"].fetch()
        assert isinstance(uuid, str) and UUID.match(uuid), uuid
        assert run.fetch()["sys"]["uuid"] == uuid
        assert run.get_structure()["sys"]["uuid"].path == "sys/uuid"
        run_id = run["sys/id"].fetch()
    with nereid.init_run(with_id=run_id, mode="read-only") as run:
        assert run["sys/uuid"].fetch() == uuid
    with nereid.init_run() as other:
        assert other["sys/uuid"].fetch() != uuid
