FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN FCCONSOLE_ENV=development python manage.py collectstatic --noinput
EXPOSE 8000 9000
