import requests_that_are_not_installed  # noqa: F401


def handler(event, context):
    return 1
