# The history matches a function name or a request id by its start: their indexes use pattern ops.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('invocations', '0016_invocation_recent_usage_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='invocation',
            name='inv_request_id',
        ),
        migrations.RemoveIndex(
            model_name='invocation',
            name='inv_function_name',
        ),
        migrations.AddIndex(
            model_name='invocation',
            index=models.Index(fields=['function', '-created_at'], name='inv_function_name', opclasses=['varchar_pattern_ops', 'timestamptz_ops']),
        ),
        migrations.AddIndex(
            model_name='invocation',
            index=models.Index(fields=['request_id'], name='inv_request_id', opclasses=['varchar_pattern_ops']),
        ),
    ]
