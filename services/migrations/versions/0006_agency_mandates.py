"""代办: the published catalogue of agency items (seeded with the template of DOMAIN §4.2, which the
park then maintains), mandates and their history, a mandate's documents, and a project's tier and
chief agent.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""
from datetime import datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

EIA = ["eia_commitment", "eia_normal", "eia_normal_book", "eia_filing", "eia_not_managed"]
# code, name, stage, department, published limit, mode, processes run here
CATALOGUE = [
    ("DB01", "企业投资项目赋码备案", "立项", "发展和改革局", "即时办结至3个工作日", "full", []),
    ("DB02", "标准地“双对标”预评估及承诺", "用地", "自然资源局", "按承诺时限", "full", ["standard_land"]),
    ("DB03", "节能审查意见", "立项", "发展和改革局", "按地方规定", "assist", []),
    ("DB04", "环境影响评价审批/登记表备案", "立项", "生态环境局", "告知承诺制1个工作日；报告表30日、报告书60日",
     "full", EIA),
    ("DB05", "水土保持方案审批", "立项", "水务局", "按地方规定（区域评估覆盖的免报）", "assist", []),
    ("DB06", "设计方案审查", "工程建设", "自然资源局", "7个工作日", "full", []),
    ("DB07", "土地挂牌申请及竞买保证金", "用地", "公共资源交易中心", "挂牌期不少于10日", "guidance", []),
    ("DB08", "土地出让合同签订、地价款及契税缴纳", "用地", "自然资源局、税务局", "按地方规定", "assist", []),
    ("DB09", "不动产权证书（首次登记）", "用地", "不动产登记中心", "法定30个工作日，改革后5个工作日内", "full", []),
    ("DB10", "建设用地规划许可证", "用地", "自然资源局", "4个工作日", "full", []),
    ("DB11", "建设工程规划许可证", "工程建设", "自然资源局", "3个工作日", "full", []),
    ("DB12", "施工图审查（含消防、人防）", "施工许可", "住房和城乡建设局", "按地方规定", "full", []),
    ("DB13", "工程质量安全监督登记", "施工许可", "住房和城乡建设局", "按地方规定", "full", []),
    ("DB14", "建筑工程施工许可证", "施工许可", "住房和城乡建设局", "7日", "full", []),
    ("DB15", "水电气讯市政公用报装", "并联办理", "各公用事业单位", "按地方规定", "full", []),
    ("DB16", "排污许可证/排污登记", "投产前", "生态环境局", "按规定", "assist", []),
    ("DB17", "联合验收及标准地对标验收", "竣工", "住房和城乡建设局及各部门", "按地方规定", "full", []),
]


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agency_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('limit_text', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('mode', sa.Enum('full', 'assist', 'guidance', name='agencymode'), nullable=False),
    sa.Column('processes', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agency_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_item_code'), ['code'], unique=True)
    item = sa.table('agency_item', sa.column('code'), sa.column('name'), sa.column('stage'),
                    sa.column('department'), sa.column('limit_text'), sa.column('mode'),
                    sa.column('processes', sa.JSON()), sa.column('position'), sa.column('active'),
                    sa.column('updated_at'))
    now = datetime(2026, 11, 27)
    op.bulk_insert(item, [
        {"code": code, "name": name, "stage": stage, "department": department, "limit_text": limit, "mode": mode,
         "processes": processes, "position": position, "active": True, "updated_at": now}
        for position, (code, name, stage, department, limit, mode, processes) in enumerate(CATALOGUE, 1)])

    op.create_table('mandate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('project_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('all_items', sa.Boolean(), nullable=False),
    sa.Column('item_codes', sa.JSON(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('active', 'terminated', 'completed', name='mandatestatus'), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=True),
    sa.Column('contact_due_on', sa.Date(), nullable=True),
    sa.Column('contacted_at', sa.DateTime(), nullable=True),
    sa.Column('signed_by_id', sa.Integer(), nullable=False),
    sa.Column('signed_by_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('signed_at', sa.DateTime(), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], ),
    sa.ForeignKeyConstraint(['project_id'], ['project.id'], ),
    sa.ForeignKeyConstraint(['signed_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('signed_by_id', 'idempotency_key', name='uq_mandate_submission')
    )
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandate_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandate_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandate_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mandate_status'), ['status'], unique=False)

    op.create_table('mandate_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mandate_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['mandate_id'], ['mandate.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mandate_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandate_event_mandate_id'), ['mandate_id'], unique=False)

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mandate_id', sa.Integer(), nullable=True))
        batch_op.alter_column('application_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_document_mandate_id'), ['mandate_id'], unique=False)
        batch_op.create_unique_constraint('uq_document_mandate_issue', ['mandate_id', 'issue_key'])
        batch_op.create_foreign_key('fk_document_mandate_id', 'mandate', ['mandate_id'], ['id'])

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tier', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False,
                                      server_default='normal'))
        batch_op.add_column(sa.Column('chief_agent_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_project_chief_agent_id', 'user', ['chief_agent_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_constraint('fk_project_chief_agent_id', type_='foreignkey')
        batch_op.drop_column('chief_agent_id')
        batch_op.drop_column('tier')

    with op.batch_alter_table('document', schema=None) as batch_op:
        batch_op.drop_constraint('fk_document_mandate_id', type_='foreignkey')
        batch_op.drop_constraint('uq_document_mandate_issue', type_='unique')
        batch_op.drop_index(batch_op.f('ix_document_mandate_id'))
        batch_op.alter_column('application_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('mandate_id')

    with op.batch_alter_table('mandate_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandate_event_mandate_id'))

    op.drop_table('mandate_event')
    with op.batch_alter_table('mandate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandate_status'))
        batch_op.drop_index(batch_op.f('ix_mandate_project_id'))
        batch_op.drop_index(batch_op.f('ix_mandate_enterprise_id'))
        batch_op.drop_index(batch_op.f('ix_mandate_agent_id'))

    op.drop_table('mandate')
    with op.batch_alter_table('agency_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_item_code'))

    op.drop_table('agency_item')
    sa.Enum(name='mandatestatus').drop(op.get_bind(), checkfirst=True)
    sa.Enum(name='agencymode').drop(op.get_bind(), checkfirst=True)
