"""Fixtures for the conformance suite.

The suite runs the real emulator binary (EMULATOR_BIN, or
<repo>/build/bin/emulator) on free loopback ports, each with a fresh
temporary database directory, and stops every process it started.
"""

import pytest

import support


@pytest.fixture(scope="session")
def emulator_pool():
    pool = support.EmulatorPool()
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def emulator(emulator_pool):
    """The shared emulator most tests use (on-disk, not shared-db)."""
    emu = emulator_pool.start()
    yield emu
    emu.cleanup()


@pytest.fixture
def emulator_factory():
    """Start private emulators for one test: emulator_factory(in_memory=...,
    shared_db=..., flag_style='long'|'short', extra_args=[...]). Each has
    .endpoint, .db_path, .port, .stop(sig), .kill9(), .start(), .restart(),
    .client(access_key=..., region=...), .stderr_text(). All are killed and
    their directories removed when the test ends."""
    pool = support.EmulatorPool()
    try:
        yield pool.start
    finally:
        pool.close()


@pytest.fixture(scope="session")
def ddb(emulator):
    """boto3 DynamoDB client for the shared emulator (us-east-1, dummy keys)."""
    return emulator.client()


@pytest.fixture(scope="session")
def ddb_raw(emulator):
    """Same, with botocore's client-side parameter validation turned off so a
    test can send what boto3 itself would refuse."""
    return emulator.client(validate=False)


@pytest.fixture
def table_name():
    """table_name(prefix='t') -> a table name no other test uses."""
    return support.unique_name


@pytest.fixture
def isolated_client(emulator):
    """A client with an access key of its own: a namespace no other test sees."""
    return emulator.client(access_key=support.unique_key())
