from django.core.management.base import BaseCommand

from fcconsole.setup_report import describe


class Command(BaseCommand):
    help = "Print which database and broker this configuration uses."

    def handle(self, *args, **options):
        self.stdout.write(describe())
