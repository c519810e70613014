"""Debian's SQLAlchemy 1.4 on sqlite3, Core and ORM, one line per result: SqliteTest compares what
this prints under the machine's CPython with what Covet's interpreters answer.

    python3 sqlalchemy_cases.py DIR     (DIR: where the database file goes)
"""
import os
import sys
import warnings

sys.path.append('/usr/lib/python3/dist-packages')
warnings.simplefilter('ignore')

from sqlalchemy import (Column, ForeignKey, Integer, Numeric, String, create_engine, func, insert, select,  # noqa: E402
                        text)
from sqlalchemy.exc import IntegrityError  # noqa: E402
from sqlalchemy.orm import Session, declarative_base, relationship  # noqa: E402

Base = declarative_base()


class Customer(Base):
    __tablename__ = 'customer'
    id = Column(Integer, primary_key=True)
    name = Column(String(50), unique=True, nullable=False)
    orders = relationship('Order', back_populates='customer', order_by='Order.id')


class Order(Base):
    __tablename__ = 'orders'
    id = Column(Integer, primary_key=True)
    customer_id = Column(ForeignKey('customer.id'), nullable=False)
    total = Column(Numeric(10, 2))
    customer = relationship('Customer', back_populates='orders')


def run(directory):
    out = []
    path = os.path.join(directory, 'orm.db')
    if os.path.exists(path):
        os.remove(path)
    engine = create_engine(f'sqlite:///{path}', future=True)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        ann = Customer(name='ann', orders=[Order(total=12.5), Order(total=7)])
        bob = Customer(name='bob', orders=[Order(total=3.25)])
        session.add_all([ann, bob])
        session.commit()
        out.append(f"ids: {ann.id} {bob.id} {[o.id for o in ann.orders]}")
        out.append(f"relationship: {[(o.customer.name, str(o.total)) for o in session.scalars(select(Order).order_by(Order.id))]}")
        rows = session.execute(select(Customer.name, func.count(Order.id), func.sum(Order.total))
                               .join(Order).group_by(Customer.name).order_by(Customer.name)).all()
        out.append(f"group by: {[(n, c, str(t)) for n, c, t in rows]}")
        out.append(f"filter: {session.scalars(select(Customer.name).where(Customer.name.like('a%'))).all()}")
        session.add(Customer(name='ann'))
        try:
            session.commit()
        except IntegrityError as e:
            out.append(f"unique: {type(e.orig).__name__}: {e.orig}")
            session.rollback()
        out.append(f"after rollback: {session.scalar(select(func.count()).select_from(Customer))}")
        bob.orders[0].total = 4
        session.delete(ann.orders[1])
        session.commit()
        out.append(f"updated: {[(o.id, str(o.total)) for o in session.scalars(select(Order).order_by(Order.id))]}")
    with engine.begin() as conn:
        conn.execute(insert(Customer), [{'name': 'cy'}, {'name': 'di'}])
        out.append(f"core: {conn.execute(select(Customer.id, Customer.name).order_by(Customer.id)).all()}")
        out.append(f"text: {conn.execute(text('SELECT name FROM customer WHERE id > :n ORDER BY id'), {'n': 2}).scalars().all()}")
    with engine.connect() as conn:
        trans = conn.begin()
        conn.execute(text("DELETE FROM customer WHERE name = 'cy'"))
        trans.rollback()
        out.append(f"rolled back: {conn.execute(text('SELECT count(*) FROM customer')).scalar()}")
    engine.dispose()
    return '\n'.join(out)


if __name__ == '__main__':
    print(run(sys.argv[1]))
