# The function of AWS's error-handling tutorial for Step Functions: a fake API that answers
# according to the "statuscode" of its event, raising the tutorial's exceptions.
import json


class TooManyRequestsException(Exception):
    pass


class ServerUnavailableException(Exception):
    pass


class UnknownException(Exception):
    pass


def lambda_handler(event, context):
    statuscode = event["statuscode"]
    if statuscode == "429":
        raise TooManyRequestsException("429 Too Many Requests")
    elif statuscode == "503":
        raise ServerUnavailableException("503 Server Unavailable")
    elif statuscode == "200":
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"Hello": "from Lambda!"}),
        }
    raise UnknownException("Unknown error")
