class OrderNotFound(Exception):
    pass


def handler(event, context):
    raise OrderNotFound("no order %s" % event.get("order", "?"))
