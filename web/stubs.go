package web

import "net/http"

func (c *Console) announcementRoutes(mux *http.ServeMux) {}
