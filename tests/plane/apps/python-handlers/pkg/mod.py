"""A module in a package: Handler pkg/mod.handler."""


def handler(event, context):
    return {"module": __name__}
