from django import forms


class UploadForm(forms.Form):
    ids = forms.CharField(
        label="Paste company ids",
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "placeholder": "736233, 781163, 724468\nor one id per line",
            }
        ),
        help_text="Separate ids with commas or new lines.",
    )
    file = forms.FileField(
        label="Or upload a file",
        required=False,
        help_text=".txt, .csv or .xlsx, with the ids in one column.",
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,.csv,.xlsx"}),
    )

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("ids") or "").strip()
        upload = cleaned.get("file")
        if text and upload:
            raise forms.ValidationError(
                "Paste ids or choose a file, not both. Clear one of them and try again."
            )
        if not text and not upload and "file" not in self.errors:
            raise forms.ValidationError(
                "Paste some company ids or choose a file first."
            )
        return cleaned


class ConfirmForm(forms.Form):
    preview_token = forms.UUIDField(widget=forms.HiddenInput)
