"""Python handlers. The module is imported once per instance: COUNT goes up across
invocations."""
import decimal
import logging
import os

COUNT = 0
print("loading app.py")
logger = logging.getLogger()
logger.setLevel(logging.INFO)


def context(event, context):
    global COUNT
    COUNT += 1
    print("context for", event.get("tag"))
    logger.info("an info record")
    return {
        "count": COUNT,
        "pid": os.getpid(),
        "aws_request_id": context.aws_request_id,
        "function_name": context.function_name,
        "function_version": context.function_version,
        "invoked_function_arn": context.invoked_function_arn,
        "memory_limit_in_mb": context.memory_limit_in_mb,
        "log_group_name": context.log_group_name,
        "log_stream_name": context.log_stream_name,
        "remaining": context.get_remaining_time_in_millis(),
        "execution_env": os.environ.get("AWS_EXECUTION_ENV"),
        "plumbing": [k for k in os.environ if k.startswith("_PLANE")],
    }


class DatabaseError(Exception):
    pass


def fail(event, context):
    raise DatabaseError("the table is on fire")


def decimals(event, context):
    return {"price": decimal.Decimal("1.5"), "count": decimal.Decimal("3")}


def unserializable(event, context):
    return {"when": object()}


NOT_CALLABLE = 42
