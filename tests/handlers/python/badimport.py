import nosuchmodule_xyz


def handler(event, context):
    return 1
