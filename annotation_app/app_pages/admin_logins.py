from annotation_app.views import admin

admin.logins_page()
