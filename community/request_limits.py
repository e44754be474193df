class ParseFormsEarlyMiddleware:
    """Read every POST body before any view runs.

    Django parses lazily, so a view that never reads its form (an "I accept" button) would act
    on a body with 10,000 fields or 3 MB. Reading it here makes the size and field-count limits
    answer 400 for every route alike.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST":
            request.POST  # noqa: B018  (raises RequestDataTooBig / TooManyFieldsSent -> 400)
        return self.get_response(request)
