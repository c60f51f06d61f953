#!/bin/sh
head -c 7000000 /dev/zero | tr '\0' 'a'
