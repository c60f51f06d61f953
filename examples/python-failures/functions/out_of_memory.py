def handler(event, context):
    hog = []
    while True:
        hog.append(bytearray(16 * 1024 * 1024))
