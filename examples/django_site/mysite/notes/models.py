from django.db import models


class Note(models.Model):
    text = models.CharField(max_length=200)
    author = models.CharField(max_length=50, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    done = models.BooleanField(default=False)

    def as_dict(self):
        return {"id": self.id, "text": self.text, "author": self.author, "done": self.done,
                "created": self.created.isoformat()}
