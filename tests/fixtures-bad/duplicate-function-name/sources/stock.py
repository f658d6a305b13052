def load(product):
    open(product, 'w').write('t')
