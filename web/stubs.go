package web

import "net/http"

func (c *Console) announcementRoutes(mux *http.ServeMux) {}
func (c *Console) readRoutes(mux *http.ServeMux)         {}
