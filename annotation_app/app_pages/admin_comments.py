from annotation_app.views import admin

admin.comments_page()
