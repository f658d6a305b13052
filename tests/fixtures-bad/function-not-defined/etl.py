def extract(product):
    open(product, 'w').write('a')


def transform(product, upstream):
    print(upstream['extract'])
