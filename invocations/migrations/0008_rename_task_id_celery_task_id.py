# "task" is FC's word for an async task too; the Celery message id says which it is. A rename:
# the column keeps its values.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invocations", "0007_drop_polled_at"),
    ]

    operations = [
        migrations.RenameField(model_name="invocation", old_name="task_id", new_name="celery_task_id"),
        migrations.AlterField(
            model_name="invocation",
            name="celery_task_id",
            field=models.CharField(blank=True, help_text="the Celery message that runs it", max_length=64),
        ),
    ]
