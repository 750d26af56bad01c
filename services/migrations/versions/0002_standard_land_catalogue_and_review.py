"""标准地: parcel indicators, regional assessments, evaluations, human actions, clock pauses,
补正 uploads and verification records; new application and step statuses.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def _add_enum_values(type_name: str, values: tuple[str, ...]) -> None:
    """PostgreSQL stores these statuses as native enum types; SQLite as plain text (nothing to do)."""
    if op.get_bind().dialect.name == "postgresql":
        for value in values:
            op.execute(f"ALTER TYPE {type_name} ADD VALUE IF NOT EXISTS '{value}'")


def upgrade() -> None:
    op.create_table('regional_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('authority', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('allowed_industry_codes', sa.JSON(), nullable=False),
    sa.Column('conditions', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code')
    )
    op.create_table('parcel_indicator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name_zh', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('comparator', sa.Enum('ge', 'le', 'between', name='comparator'), nullable=False),
    sa.Column('threshold', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('threshold_high', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('measured_at', sa.Enum('completion', 'ramp_up_end', 'annual', name='measuredat'), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcel.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('parcel_id', 'code', name='uq_parcel_indicator')
    )
    with op.batch_alter_table('parcel_indicator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parcel_indicator_parcel_id'), ['parcel_id'], unique=False)

    op.create_table('regional_assessment_parcel',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('parcel_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['regional_assessment.id'], ),
    sa.ForeignKeyConstraint(['parcel_id'], ['parcel.id'], ),
    sa.PrimaryKeyConstraint('assessment_id', 'parcel_id')
    )
    with op.batch_alter_table('regional_assessment_parcel', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_regional_assessment_parcel_parcel_id'), ['parcel_id'], unique=False)

    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('rules_version', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('evaluated_at', sa.DateTime(), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id', 'kind', name='uq_evaluation_kind')
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_application_id'), ['application_id'], unique=False)

    op.create_table('step_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('approve', 'reject', 'request_supplement', 'supplement', name='actionkind'),
              nullable=False),
    sa.Column('reasons', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('justification', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('on_behalf_of_enterprise_id', sa.Integer(), nullable=True),
    sa.Column('acted_at', sa.DateTime(), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['on_behalf_of_enterprise_id'], ['enterprise.id'], ),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('step_id', 'sequence', name='uq_step_action_seq')
    )
    with op.batch_alter_table('step_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_action_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_step_action_step_id'), ['step_id'], unique=False)

    op.create_table('verification_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('checkpoint', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('measured_on', sa.Date(), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('recorded_by_id', 'idempotency_key', name='uq_verification_idem')
    )
    with op.batch_alter_table('verification_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_record_application_id'), ['application_id'], unique=False)

    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('request_action_id', sa.Integer(), nullable=False),
    sa.Column('item_index', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('path', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['request_action_id'], ['step_action.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_request_action_id'), ['request_action_id'], unique=False)

    op.create_table('clock_pause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('started_action_id', sa.Integer(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('working_days', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['started_action_id'], ['step_action.id'], ),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('started_action_id')
    )
    with op.batch_alter_table('clock_pause', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clock_pause_step_id'), ['step_id'], unique=False)

    _add_enum_values("applicationstatus", ("supplementing", "approved", "rejected"))
    _add_enum_values("stepstatus", ("suspended", "cancelled"))
    if op.get_bind().dialect.name == "sqlite":  # widen the text column to the longest new status
        with op.batch_alter_table('application', schema=None) as batch_op:
            batch_op.alter_column('status', existing_type=sa.VARCHAR(length=10), type_=sa.Enum(
                'submitted', 'incomplete', 'accepted', 'supplementing', 'approved', 'rejected',
                name='applicationstatus'), existing_nullable=False)

    with op.batch_alter_table('parcel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('allowed_industry_codes', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('land_price_wan', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('initial_operating_years', sa.Integer(), nullable=False, server_default='3'))
        batch_op.add_column(sa.Column('rectification_months', sa.Integer(), nullable=False, server_default='6'))
        batch_op.add_column(sa.Column('damages_rate', sa.Numeric(precision=6, scale=4), nullable=False,
                                      server_default='1'))
        batch_op.add_column(sa.Column('credit_record', sa.Boolean(), nullable=False, server_default=sa.true()))

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('planned_indicators', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('annual_energy_tce', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('annual_electricity_kwh', sa.Numeric(precision=16, scale=0), nullable=True))
        batch_op.add_column(sa.Column('planned_start_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('planned_completion_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('planned_production_on', sa.Date(), nullable=True))

    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('flow_run_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('paused_working_days', sa.Integer(), nullable=False, server_default='0'))



def downgrade() -> None:
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_column('paused_working_days')
        batch_op.drop_column('flow_run_id')

    with op.batch_alter_table('project', schema=None) as batch_op:
        batch_op.drop_column('planned_production_on')
        batch_op.drop_column('planned_completion_on')
        batch_op.drop_column('planned_start_on')
        batch_op.drop_column('annual_electricity_kwh')
        batch_op.drop_column('annual_energy_tce')
        batch_op.drop_column('planned_indicators')

    with op.batch_alter_table('parcel', schema=None) as batch_op:
        batch_op.drop_column('credit_record')
        batch_op.drop_column('damages_rate')
        batch_op.drop_column('rectification_months')
        batch_op.drop_column('initial_operating_years')
        batch_op.drop_column('land_price_wan')
        batch_op.drop_column('allowed_industry_codes')

    with op.batch_alter_table('clock_pause', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clock_pause_step_id'))

    op.drop_table('clock_pause')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_request_action_id'))
        batch_op.drop_index(batch_op.f('ix_attachment_application_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('verification_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_record_application_id'))

    op.drop_table('verification_record')
    with op.batch_alter_table('step_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_action_step_id'))
        batch_op.drop_index(batch_op.f('ix_step_action_application_id'))

    op.drop_table('step_action')
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_application_id'))

    op.drop_table('evaluation')
    with op.batch_alter_table('regional_assessment_parcel', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_regional_assessment_parcel_parcel_id'))

    op.drop_table('regional_assessment_parcel')
    with op.batch_alter_table('parcel_indicator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parcel_indicator_parcel_id'))

    op.drop_table('parcel_indicator')
    op.drop_table('regional_assessment')
    # PostgreSQL cannot drop enum values; the added statuses stay in the types (unused).
    for name in ("comparator", "measuredat", "actionkind"):
        sa.Enum(name=name).drop(op.get_bind(), checkfirst=True)
