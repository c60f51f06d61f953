"""The Lambda function of the Step Functions error-handling tutorial ("Handling error conditions
in a Step Functions state machine"): it stands for an HTTP API and answers by the status code
in its event, raising one exception class per failure so that the state machine's Retry and
Catch can tell them apart by name (Lambda reports the class name as the error type)."""


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
    if statuscode == "503":
        raise ServerUnavailableException("503 Server Unavailable")
    if statuscode == "200":
        return "200 OK"
    raise UnknownException("Unknown error")
