import not_installed_anywhere


def handler(event, context):
    return not_installed_anywhere.run(event)
