import sys

f = open(sys.argv[1], 'w')
f.write('important data\n')
