"""The risk register page's parts: heatmap, register, a risk's detail, forms, matrix, trend."""
