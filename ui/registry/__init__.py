"""The model registry page's parts: the list, a model's detail and the forms that change it."""
