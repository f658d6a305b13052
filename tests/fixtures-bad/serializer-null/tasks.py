def extract(product):
    open(product, 'w').write('a')
