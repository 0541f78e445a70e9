from annotation_app.views import admin

admin.response_page()
