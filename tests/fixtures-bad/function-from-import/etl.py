from helpers import extract
