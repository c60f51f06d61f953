raise RuntimeError("at import")


def handler(event, context):
    return 1
