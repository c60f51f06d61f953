#!/bin/sh
# the event back, as a function that echoes
cat
