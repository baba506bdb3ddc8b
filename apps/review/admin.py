"""The review queue in the staff admin (public host, OTPAdminSite: 2FA before anything).

The list is one queue across businesses; the change page shows the document beside the
fields. Every button calls a service; this module only parses and renders.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from apps.ap.documents.isolation import ReaderFailed
from apps.ap.documents.refusals import DocumentRefused
from apps.ap.documents.serving import served_document
from apps.core.errors import ApplicationError
from apps.review import selectors, services
from apps.review.forms import BillFieldsForm, RejectForm
from apps.review.models import ReviewTask
from apps.review.render import page_png


def _age(task: ReviewTask) -> str:
    hours = int(task.age.total_seconds() // 3600)
    return f"{hours // 24} d {hours % 24} h" if hours >= 24 else f"{hours} h"


@admin.register(ReviewTask)
class ReviewTaskAdmin(admin.ModelAdmin):
    list_display = ("document", "age", "business", "confidence_pct", "state", "assignee",
                    "vendor_name", "total", "currency")
    list_filter = ("state", "business", "assignee")
    list_select_related = ("business", "assignee")
    search_fields = ("vendor_name", "file_name", "business__name")
    actions = ("claim_selected", "release_selected")
    ordering = ("created_at",)

    # Rows come only from the pipeline; the queue is not a spreadsheet.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if "state__exact" not in request.GET:
            queryset = queryset.waiting()
        return queryset

    @admin.display(description="document")
    def document(self, task):
        return format_html("#{} {}", task.document_id, task.file_name)

    @admin.display(description="age", ordering="created_at")
    def age(self, task):
        return _age(task)

    @admin.display(description="confidence", ordering="confidence")
    def confidence_pct(self, task):
        return f"{task.confidence * 100:.0f}%"

    @admin.action(description="Claim selected documents", permissions=["change"])
    def claim_selected(self, request, queryset):
        for task in queryset:
            self._call(request, services.review_task_claim, task_id=task.pk, actor=request.user)

    @admin.action(description="Release my claim on selected documents",
                  permissions=["change"])
    def release_selected(self, request, queryset):
        for task in queryset:
            services.review_task_release(task_id=task.pk, actor=request.user)

    def _call(self, request, service, **kwargs):
        try:
            return service(**kwargs)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return None

    # --- the review page ----------------------------------------------------------------

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:task_id>/page/<int:page>.png", wrap(self.page_view),
                 name="review_reviewtask_page"),
            path("<int:task_id>/file/", wrap(self.file_view), name="review_reviewtask_file"),
            *super().get_urls(),
        ]

    def _task(self, request, task_id) -> ReviewTask:
        if not self.has_view_permission(request):
            raise DjangoPermissionDenied
        return get_object_or_404(ReviewTask.objects.select_related("business", "assignee"),
                                 pk=task_id)

    def page_view(self, request, task_id: int, page: int):
        task = self._task(request, task_id)
        data, content_type, _name = selectors.review_document_bytes(task, actor=request.user)
        try:
            png = page_png(data, content_type, page)
        except (DocumentRefused, ReaderFailed) as exc:
            # Over a budget or unreadable: say so where the picture would be; use the file link.
            return HttpResponse(str(exc), status=422, content_type="text/plain")
        response = HttpResponse(png, content_type="image/png")
        response["Cache-Control"] = "private, no-store"
        return response

    def file_view(self, request, task_id: int):
        task = self._task(request, task_id)
        data, content_type, name = selectors.review_document_bytes(task, actor=request.user)
        return served_document(HttpResponse(data, content_type=content_type),
                               f"document-{task.document_id}", inline=False)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        task = self._task(request, object_id)
        document = selectors.review_document(task)
        vendors = selectors.review_vendor_choices(task)
        initial = {
            "vendor_id": document.vendor_id, "bill_number": document.bill_number,
            "bill_date": document.bill_date, "due_date": document.due_date,
            "total": document.total, "currency": document.currency or task.business.currency,
        }
        form = BillFieldsForm(initial=initial, vendors=vendors)
        reject_form = RejectForm()
        if request.method == "POST":
            if not self.has_change_permission(request, task):
                raise DjangoPermissionDenied
            verb = request.POST.get("do")
            if verb == "claim":
                self._call(request, services.review_task_claim, task_id=task.pk,
                           actor=request.user)
            elif verb == "release":
                services.review_task_release(task_id=task.pk, actor=request.user)
            elif verb == "approve":
                form = BillFieldsForm(request.POST, vendors=vendors)
                if form.is_valid():
                    done = self._call(request, services.review_task_approve, task_id=task.pk,
                                      actor=request.user, values=form.cleaned_data)
                    if done is not None:
                        self.message_user(request, "Approved: the bill was created.")
                        return HttpResponseRedirect(reverse("admin:review_reviewtask_changelist"))
            elif verb == "reject":
                reject_form = RejectForm(request.POST)
                if reject_form.is_valid():
                    done = self._call(request, services.review_task_reject, task_id=task.pk,
                                      actor=request.user,
                                      reason=reject_form.cleaned_data["reason"])
                    if done is not None:
                        self.message_user(request, "Rejected; the owner sees the reason.")
                        return HttpResponseRedirect(reverse("admin:review_reviewtask_changelist"))
            if verb in ("claim", "release"):
                return HttpResponseRedirect(request.path)
            task.refresh_from_db()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta, "title": f"Review document #{task.document_id}",
            "task": task, "document": document, "form": form, "reject_form": reject_form,
            "pages": range(1, min(document.pages or 1, 5) + 1),
            "holds_claim": task.can_decide(request.user),
            "can_claim": task.can_claim(request.user),
            "age": _age(task), **(extra_context or {}),
        }
        return TemplateResponse(request, "review/task.html", context)
