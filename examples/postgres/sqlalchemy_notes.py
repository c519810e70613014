"""SQLAlchemy's ORM on PostgreSQL through covet.db (the postgresql+covet:// dialect).

    covet exec --database postgresql://user:password@localhost:5432/notes \
        --python-path /usr/lib/python3/dist-packages examples/postgres/sqlalchemy_notes.py
"""
import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, declarative_base

engine = sa.create_engine('postgresql+covet://', future=True)   # no host: the configured database
Base = declarative_base()


class Tag(Base):
    __tablename__ = 'sa_tags'
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(50), unique=True, nullable=False)
    data = sa.Column(sa.JSON, default=dict)
    created = sa.Column(sa.DateTime(timezone=True), default=lambda: datetime.datetime.now(datetime.timezone.utc))


Base.metadata.create_all(engine)
with Session(engine) as session:
    for name in ('jvm', 'python', 'postgres'):
        if session.execute(sa.select(Tag).where(Tag.name == name)).first() is None:
            session.add(Tag(name=name, data={'length': len(name)}))
    session.commit()
    for tag in session.execute(sa.select(Tag).order_by(Tag.name)).scalars():
        print(f'{tag.id:3} {tag.name:10} {tag.data} {tag.created:%Y-%m-%d %H:%M}')
